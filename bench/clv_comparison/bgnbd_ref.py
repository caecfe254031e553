"""Library-independent reference formulas (numpy/scipy) used to cross-check both libraries.

BG/NBD: Fader, Hardie & Lee (2005), "Counting your customers the easy way", eq. (6),
         and conditional expectations eq. (10) and P(alive) (Fader-Hardie note).
Gamma-Gamma: Fader, Hardie & Lee (2005) spend model; marginal likelihood of
         the mean spend mbar given x transactions (Fader & Hardie 2013 note, eq. 5).
"""
import numpy as np
from scipy.special import gammaln, hyp2f1, logsumexp

TRUE_BG = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)
TRUE_GG = dict(p=6.25, q=3.74, v=15.44)


def bgnbd_loglik_terms(r, alpha, a, b, x, tx, T):
    x = np.asarray(x, float)
    tx = np.asarray(tx, float)
    T = np.asarray(T, float)
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    A3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        A4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300))
                      - (r + x) * np.log(alpha + tx), -np.inf)
    return A1 + A2 + logsumexp(np.stack([A3, A4]), axis=0)


def bgnbd_loglik(r, alpha, a, b, x, tx, T):
    return float(bgnbd_loglik_terms(r, alpha, a, b, x, tx, T).sum())


def bgnbd_expected_x(r, alpha, a, b, t):
    t = np.asarray(t, float)
    return ((a + b - 1) / (a - 1)
            * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t))))


def bgnbd_p_alive(r, alpha, a, b, x, tx, T):
    x = np.asarray(x, float)
    tx = np.asarray(tx, float)
    T = np.asarray(T, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (a / (b + x - 1)) * ((alpha + T) / (alpha + tx)) ** (r + x)
    return np.where(x > 0, 1.0 / (1.0 + ratio), 1.0)


def bgnbd_cond_expected(r, alpha, a, b, t, x, tx, T):
    """E[Y(t) | x, t_x, T], FHL 2005 eq. (10)."""
    x = np.asarray(x, float)
    tx = np.asarray(tx, float)
    T = np.asarray(T, float)
    z = t / (alpha + T + t)
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, z)
    num = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
    with np.errstate(divide="ignore", invalid="ignore"):
        den = 1 + (x > 0) * (a / (b + x - 1)) * ((alpha + T) / (alpha + tx)) ** (r + x)
    return num / den


def gg_loglik(p, q, v, x, m):
    x = np.asarray(x, float)
    m = np.asarray(m, float)
    ll = (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(v)
          + (p * x - 1) * np.log(m) + (p * x) * np.log(x) - (p * x + q) * np.log(x * m + v))
    return float(ll.sum())
