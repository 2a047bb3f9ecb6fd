"""Builds a real (tiny, random-weight) COMET checkpoint offline, laid out as the hub's are
(hparams.yaml, checkpoints/model.ckpt) with its encoder's tokenizer and configuration in a
folder of its own: ``python build_tiny_comet.py FOLDER [--xcomet]``.  Run by the Python of the
COMET environment (it imports comet); the tests of ``--qe comet`` use it."""
import argparse
import sys
from pathlib import Path

SENTENCES = [
    "Der Stadtrat hat am Dienstag den Haushalt für das kommende Jahr beschlossen.",
    "The city council passed the budget for the coming year on Tuesday.",
    "Nach dem Sturm blieben viele Straßen im Norden des Landes gesperrt.",
    "After the storm, many roads in the north of the country stayed closed.",
    "Die Preise für Strom und Gas sind im Herbst wieder gestiegen.",
    "Electricity and gas prices rose again in the autumn.",
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--xcomet", action="store_true")
    args = parser.parse_args()
    import pytorch_lightning
    import sentencepiece as spm
    import torch
    import yaml
    from transformers import XLMRobertaConfig, XLMRobertaTokenizer, XLMRobertaTokenizerFast

    folder = Path(args.folder)
    encoder = folder / "encoder"
    encoder.mkdir(parents=True, exist_ok=True)
    corpus = folder / "corpus.txt"
    corpus.write_text("\n".join(SENTENCES * 20) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(encoder / "sentencepiece.bpe"), vocab_size=60,
                                   character_coverage=1.0, model_type="unigram", minloglevel=2, num_threads=1)
    corpus.unlink()
    slow = XLMRobertaTokenizer(vocab_file=str(encoder / "sentencepiece.bpe.model"))
    slow.save_pretrained(str(encoder))
    XLMRobertaTokenizerFast.from_pretrained(str(encoder)).save_pretrained(str(encoder))
    XLMRobertaConfig(vocab_size=len(slow), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=32, max_position_embeddings=514,
                     pad_token_id=slow.pad_token_id).save_pretrained(str(encoder))
    settings = dict(pretrained_model=str(encoder.resolve()), load_pretrained_weights=False, local_files_only=True,
                    hidden_sizes=[32], word_layer=2, sent_layer="mix", layer_transformation="sparsemax",
                    final_activation="sigmoid", encoder_model="XLM-RoBERTa")
    torch.manual_seed(7)
    if args.xcomet:
        from comet.models import XCOMETMetric

        model = XCOMETMetric(**settings, word_level_training=True,
                             error_labels=["minor", "major", "critical"])
        identifier = "xcomet_metric"
    else:
        from comet.models import UnifiedMetric

        model = UnifiedMetric(**settings, input_segments=["mt", "src"], word_level_training=False)
        identifier = "unified_metric"
    hparams = dict(model.hparams)
    (folder / "checkpoints").mkdir(exist_ok=True)
    torch.save({"state_dict": model.state_dict(), "hyper_parameters": hparams,
                "pytorch-lightning_version": pytorch_lightning.__version__}, folder / "checkpoints" / "model.ckpt")
    (folder / "hparams.yaml").write_text(yaml.safe_dump({**hparams, "class_identifier": identifier}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
