"""Simulate BG/NBD purchase histories + Gamma-Gamma spend (numpy only).

Usage: python simulate.py N OUT.csv      (seed fixed at 7)

Process per customer (time unit = weeks):
  lambda ~ Gamma(shape=r, scale=1/alpha)        r=0.243, alpha=4.414
  p      ~ Beta(a, b)                           a=0.793, b=2.426
  T      ~ Uniform(30, 78)                      calibration length after first purchase
  first purchase at t=0, customer alive at t=0; purchases follow a Poisson
  process with rate lambda; right after each (repeat) purchase the customer
  drops out with probability p.
  x   = number of repeat purchases in (0, T]
  t_x = time of last purchase (0 if x == 0)
Spend:
  nu ~ Gamma(shape=q, rate=gamma)               q=3.74, gamma=15.44
  each transaction value ~ Gamma(shape=p_gg, rate=nu), p_gg=6.25
  monetary_value = mean of the x repeat transaction values (0 if x == 0)
Columns written: customer_id,frequency,recency,T,monetary_value
"""
import sys

import numpy as np

R, ALPHA, A, B = 0.243, 4.414, 0.793, 2.426
P_GG, Q_GG, GAMMA_GG = 6.25, 3.74, 15.44
T_LO, T_HI = 30.0, 78.0
SEED = 7


def simulate(n, seed=SEED):
    rng = np.random.default_rng(seed)
    lam = rng.gamma(shape=R, scale=1.0 / ALPHA, size=n)
    p = rng.beta(A, B, size=n)
    T = rng.uniform(T_LO, T_HI, size=n)
    nu = rng.gamma(shape=Q_GG, scale=1.0 / GAMMA_GG, size=n)

    x = np.zeros(n, dtype=np.int64)
    tx = np.zeros(n)
    mv = np.zeros(n)
    for i in range(n):
        t = 0.0
        k = 0
        last = 0.0
        while True:
            t += rng.exponential(1.0 / lam[i])  # next purchase time
            if t > T[i]:
                break
            k += 1
            last = t
            if rng.random() < p[i]:  # dropout right after this purchase
                break
        x[i] = k
        tx[i] = last
        if k > 0:
            mv[i] = rng.gamma(shape=P_GG, scale=1.0 / nu[i], size=k).mean()
    return x, tx, T, mv


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    x, tx, T, mv = simulate(n)
    with open(out, "w") as f:
        f.write("customer_id,frequency,recency,T,monetary_value\n")
        for i in range(n):
            f.write(f"{i},{x[i]},{tx[i]:.10f},{T[i]:.10f},{mv[i]:.10f}\n")
    print(f"{out}: N={n} repeaters={int((x > 0).sum())} "
          f"mean_freq={x.mean():.4f} max_freq={x.max()} "
          f"mean_mv(x>0)={mv[x > 0].mean():.3f}")


if __name__ == "__main__":
    main()
