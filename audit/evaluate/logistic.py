"""The logistic regression both fitted models use (``[drift]`` and ``[qe]``)."""
from __future__ import annotations


def fit_non_negative(x, y, regularisation: float = 1.0) -> tuple[list[float], float]:
    """Weights and intercept, for the raw features ``x`` (rows) and labels ``y`` (0/1), of a
    logistic regression with the two classes weighted equally, fitted on standardised
    features with an L2 penalty and non-negative weights: a feature that grows with a change
    of meaning may raise the score or be left out, never lower it."""
    import numpy as np
    from scipy.optimize import minimize
    from scipy.special import expit

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    positives = y.sum()
    weight = np.where(y == 1, len(y) / (2 * positives), len(y) / (2 * (len(y) - positives)))
    mean, spread = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / spread
    scale = weight.sum() / len(weight)

    def loss(params):
        w, bias = params[:-1], params[-1]
        margin = z @ w + bias
        value = (weight * (np.logaddexp(0, margin) - y * margin)).sum() + 0.5 * scale * (w @ w) / regularisation
        residual = weight * (expit(margin) - y)
        return value, np.append(z.T @ residual + scale * w / regularisation, residual.sum())

    columns = x.shape[1]
    bounds = [(0.0, None)] * columns + [(None, None)]
    solution = minimize(loss, np.zeros(columns + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    raw = solution.x[:-1] / spread
    return [float(v) for v in raw], float(solution.x[-1] - raw @ mean)
