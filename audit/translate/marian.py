"""The reference backend: MarianMT through transformers (``generate``, beam search).

transformers 5 has no ``translation`` pipeline, so the model is called directly.
"""
from __future__ import annotations

import math
import os

from . import DecodingSettings, TranslationResult
from .chunk import ChunkedTranslator, length_batches, progress
from .loader import ResolvedModel, target_side_pieces


SCORE_ROWS = 4
# Token log-probabilities from the beam search's own step scores (``_StepLogProbs``)
# instead of a second, teacher-forced decoder pass.
STEP_SCORES = True
# Beam search over the target-side pieces only (see ``_use_shortlist``).
SHORTLIST = True


class MarianTranslator(ChunkedTranslator):
    backend = "marian"

    def __init__(self, resolved: ResolvedModel, settings: DecodingSettings, quiet: bool = False):
        import torch
        from transformers import MarianMTModel, MarianTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        torch.set_num_threads(max(1, settings.threads or os.cpu_count() or 1))
        self.model_id = resolved.model_id
        self.revision = resolved.revision
        self.settings = settings
        self.quiet = quiet
        try:
            self.tokenizer = MarianTokenizer.from_pretrained(str(resolved.path))
            self.model = MarianMTModel.from_pretrained(str(resolved.path))
        except (OSError, ValueError, RuntimeError) as err:
            from ..errors import ModelUnavailable

            raise ModelUnavailable(f"The model in {resolved.path} could not be loaded ({err}).") from None
        self.model.eval()
        generation = self.model.generation_config
        self.eos_id, self.pad_id = generation.eos_token_id, generation.pad_token_id
        self.shortlist = SHORTLIST and self._use_shortlist(resolved.path)
        if settings.quantize == "int8":
            # Dynamic int8 quantisation of the linear layers: weights stored as int8,
            # activations quantised on the fly; several times faster on CPU.
            # (torch.ao.quantization is deprecated in favour of torchao but works in the pinned
            # torch 2.13; torchao is not needed for this one call.)
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                warnings.simplefilter("ignore", UserWarning)  # "quantized tensor creation is deprecated"
                self.model = torch.ao.quantization.quantize_dynamic(self.model, {torch.nn.Linear},
                                                                    dtype=torch.qint8, inplace=True)
        # The opus-mt generation config sets max_length=512; max_new_tokens is set per
        # batch instead, and both together make every call warn.
        self.model.generation_config.max_length = None
        limit = getattr(self.model.config, "max_position_embeddings", 512) or 512
        self.max_input_tokens = min(settings.max_input_tokens, limit - 2)

    def _use_shortlist(self, model_dir) -> bool:
        """Give the decoder a vocabulary of the target-side pieces only (with </s>, <pad>,
        <unk>): its input embedding and output layer become those rows of the shared ones,
        so beam search runs in that smaller id space (mapped back through ``self.keep``).
        The full output layer is kept for the teacher-forced scoring (greedy search).
        False (and nothing changed) for models without a shared vocabulary."""
        import torch

        model, generation = self.model, self.model.generation_config
        pieces = target_side_pieces(model_dir)
        shared = model.get_input_embeddings()
        weights = {shared.weight.data_ptr(), model.lm_head.weight.data_ptr(),
                   model.model.decoder.embed_tokens.weight.data_ptr()}
        if not pieces or len(weights) != 1:  # not one shared vocabulary
            return False
        vocab = self.tokenizer.get_vocab()
        special = {self.eos_id, self.pad_id, self.tokenizer.unk_token_id, generation.decoder_start_token_id}
        keep = sorted({vocab[p] for p in pieces} | {i for i in special if i is not None})
        position = {full: i for i, full in enumerate(keep)}
        self.keep = torch.tensor(keep)
        self.full_head, self.full_bias = model.lm_head.weight, model.final_logits_bias
        embedding = torch.nn.Embedding(len(keep), shared.embedding_dim, padding_idx=position[self.pad_id])
        embedding.weight = torch.nn.Parameter(shared.weight.detach()[self.keep].clone(), requires_grad=False)
        head = torch.nn.Linear(shared.embedding_dim, len(keep), bias=False)
        head.weight = embedding.weight  # tied, as in the full model
        model.model.decoder.embed_tokens = embedding
        model.lm_head = head
        model.final_logits_bias = torch.nn.Buffer(self.full_bias[:, self.keep].clone())
        for name in ("eos_token_id", "pad_token_id", "decoder_start_token_id", "forced_eos_token_id"):
            if getattr(generation, name, None) is not None:
                setattr(generation, name, position[getattr(generation, name)])
        if generation.bad_words_ids:
            generation.bad_words_ids = [[position[w] for w in words if w in position] or [position[self.pad_id]]
                                        for words in generation.bad_words_ids]
        return True

    def _translate_pieces(self, pieces: list[str]) -> list[TranslationResult]:
        import torch

        out = [TranslationResult(text="", logprob=0.0) for _ in pieces]
        batches = length_batches(pieces, self.settings.batch_size)
        with torch.inference_mode():
            for batch in progress(batches, self.quiet):
                for i, result in zip(batch, self._generate([pieces[i] for i in batch])):
                    out[i] = result
        return out

    def _teacher_forced(self, sequences, full, hidden, attention_mask):
        """Per-token log-probabilities of the chosen outputs by teacher forcing: a second
        decoder pass, over the full vocabulary.  A few rows at a time: the logits span the
        vocabulary at every position."""
        import torch
        from transformers.modeling_outputs import BaseModelOutput

        parts = []
        for a in range(0, sequences.shape[0], SCORE_ROWS):
            rows = slice(a, a + SCORE_ROWS)
            if self.shortlist:
                states = self.model.model.decoder(
                    input_ids=sequences[rows, :-1], encoder_hidden_states=hidden[rows],
                    encoder_attention_mask=attention_mask[rows]).last_hidden_state
                logits = torch.nn.functional.linear(states, self.full_head) + self.full_bias
            else:
                logits = self.model(encoder_outputs=BaseModelOutput(last_hidden_state=hidden[rows]),
                                    attention_mask=attention_mask[rows],
                                    decoder_input_ids=sequences[rows, :-1]).logits
            # log p(token) = logit(token) - logsumexp(logits): no second vocabulary-sized tensor.
            chosen = logits.gather(-1, full[rows, 1:].unsqueeze(-1)).squeeze(-1)
            parts.append(chosen - logits.logsumexp(-1))
        return torch.cat(parts)

    def _generate(self, texts: list[str]) -> list[TranslationResult]:
        import torch
        from transformers import LogitsProcessorList
        from transformers.modeling_outputs import BaseModelOutput

        enc = self.tokenizer(texts, return_tensors="pt", padding=True)
        source_len = int(enc["input_ids"].shape[1])
        max_new = min(512, 2 * source_len + 16)
        min_new = 0
        if self.settings.forced_length_ratio:
            max_new = min_new = max(1, round(self.settings.forced_length_ratio * source_len))
        # The encoder runs once: its output feeds both the beam search and the scoring.
        encoded = self.model.get_encoder()(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
        hidden = encoded.last_hidden_state
        # Beam search hands its processors log-probabilities (greedy search: raw logits).
        recorder = _StepLogProbs(2 * self.settings.beam_size + 1)
        record = STEP_SCORES and self.settings.beam_size > 1
        out = self.model.generate(
            # generate expands the encoder output for the beams in place: give it its own holder
            encoder_outputs=BaseModelOutput(last_hidden_state=hidden), attention_mask=enc["attention_mask"],
            num_beams=self.settings.beam_size, max_new_tokens=max_new, min_new_tokens=min_new,
            max_length=None, do_sample=False, early_stopping=True,
            logits_processor=LogitsProcessorList([recorder] if record else []), return_dict_in_generate=True,
        )
        sequences, beams = out.sequences, getattr(out, "beam_indices", None)
        del out  # it also holds the decoder's key/value cache
        full = self.keep[sequences] if self.shortlist else sequences
        scores = recorder.chosen(sequences, beams) if record else None
        if scores is None:
            scores = self._teacher_forced(sequences, full, hidden, enc["attention_mask"])
        sequences, eos, pad = full, self.eos_id, self.pad_id
        results = []
        for row in range(sequences.shape[0]):
            ids = sequences[row, 1:].tolist()
            logps = scores[row].tolist()
            tokens: list[tuple[str, float]] = []
            finished = False
            for token_id, logp in zip(ids, logps):
                if token_id == pad:
                    break
                if token_id == eos:
                    finished = True
                    break
                tokens.append((self.tokenizer.convert_ids_to_tokens(token_id), float(logp)))
            text = self.tokenizer.decode(ids, skip_special_tokens=True).strip()
            logprob = sum(lp for _, lp in tokens)
            # forced_eos_token_id ends a sequence with </s> at the length limit, so a
            # sequence that used every allowed token counts as cut off.
            truncated = len(tokens) >= max_new - 1 or (not finished and len(ids) >= max_new)
            results.append(TranslationResult(
                text=text, logprob=logprob,
                tokens=[(tok, math.exp(lp)) for tok, lp in tokens],
                truncated=truncated,
            ))
        return results


class _StepLogProbs:
    """A logits processor that changes nothing and keeps, at every step of the beam
    search, each beam's best ``keep`` next tokens with their log-probabilities.

    generate appends it after its own processors and before the final renormalisation,
    so the values are the model's log-softmax (over the decoder's vocabulary: the
    shortlist when there is one); the processors before it only set tokens to -inf
    (</s> before the minimum length, <pad>), and a token the search chose from a beam is
    always among that beam's best ``keep`` (2 × beams + 1 covers the search's top-k).
    ``chosen`` reads the log-probability of every output token through ``beam_indices``.
    """

    def __init__(self, keep: int):
        self.keep = keep
        self.ids: list = []
        self.values: list = []

    def __call__(self, input_ids, scores):
        values, ids = scores.topk(min(self.keep, scores.shape[-1]), dim=-1)
        self.ids.append(ids)
        self.values.append(values)
        return scores

    def chosen(self, sequences, beam_indices):
        """Log-probabilities (rows × output positions, as teacher forcing gives them) of
        the tokens in ``sequences``; None when one cannot be found (then score otherwise)."""
        import torch

        steps = min(beam_indices.shape[1], len(self.ids), sequences.shape[1] - 1)
        out = torch.zeros(sequences.shape[0], sequences.shape[1] - 1)
        for t in range(steps):
            rows = beam_indices[:, t]
            live = rows >= 0
            if not bool(live.any()):
                break
            source = rows.clamp(min=0).long()
            candidates, values = self.ids[t][source], self.values[t][source]
            hit = candidates == sequences[:, t + 1].unsqueeze(-1)
            if not bool(hit[live].any(dim=-1).all()):
                return None
            out[:, t] = torch.where(live, torch.where(hit, values, torch.zeros(())).sum(-1), torch.zeros(()))
        return out
