"""The notebook way: customer segmentation in pandas + scikit-learn, in one script.

This is the baseline the dbt project is compared against: what a data scientist
writes in a notebook for the same job, kept honest and reasonably efficient
(vectorised pandas, no Python loop over rows, only the columns it needs):

1. read customers.parquet and orders.parquet with pandas;
2. drop bad rows: missing ids, dates or amounts, future order dates, duplicate
   customer ids, orders of unknown customers (the project's rules: identical
   order lines are kept, as the project keeps them - two of one product);
3. per customer: recency, frequency, monetary, average order value, tenure and
   return rate (orders -> customers, two groupbys);
4. cap at the 1st/99th percentiles, log1p the skewed money/count features,
   StandardScaler;
5. KMeans for k = 2..10 (n_init=4, fixed random_state) on every customer, with
   silhouette on a 5,000-row sample, Calinski-Harabasz and Davies-Bouldin;
   pick k by silhouette;
6. Ward linkage (scikit-learn AgglomerativeClustering) on a 20,000-row sample,
   every customer then assigned to the nearest Ward cluster centroid;
7. PCA to 2-D;
8. write one row per customer to a parquet file.

Usage::

    python bench/notebook_baseline.py --input-dir bench/data/10000 \\
        --output bench/data/10000/notebook_segments.parquet \\
        --timings bench/data/10000/notebook_timings.json

Step timings go to stderr and, with --timings, to a JSON file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.preprocessing import StandardScaler

RETURN_STATUSES = ["returned", "refunded", "cancelled", "canceled", "return", "refund"]
FEATURES = ["recency_days", "frequency", "monetary", "avg_order_value", "tenure_days",
            "return_rate"]
# Money and count features are log1p-transformed (they are right-skewed).
LOG_FEATURES = ["frequency", "monetary", "avg_order_value"]
K_RANGE = range(2, 11)
N_INIT = 4
SILHOUETTE_SAMPLE = 5_000
WARD_SAMPLE = 20_000


class StepTimer:
    """Wall time of named steps, logged to stderr as they finish."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time the body of a ``with`` block under ``name``."""
        start = time.perf_counter()
        yield
        self.seconds[name] = time.perf_counter() - start
        print(f"[notebook] {name}: {self.seconds[name]:.2f}s", file=sys.stderr, flush=True)


def load(input_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both input files, with only the columns the features need.

    Dates arrive as datetime64, not as one Python ``date`` object per row.
    """
    as_datetime = {"date_as_object": False}
    customers = pd.read_parquet(input_dir / "customers.parquet",
                                columns=["customer_id", "signup_date"],
                                to_pandas_kwargs=as_datetime)
    orders = pd.read_parquet(input_dir / "orders.parquet",
                             columns=["order_id", "customer_id", "order_date", "amount",
                                      "status"],
                             to_pandas_kwargs=as_datetime)
    return customers, orders


def clean(customers: pd.DataFrame, orders: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop the rows a careful analyst drops before computing features."""
    customers = customers.dropna(subset=["customer_id"])
    customers = customers.drop_duplicates(subset="customer_id", keep="first")
    orders = orders.dropna(subset=["order_id", "customer_id", "order_date", "amount"])
    today = pd.Timestamp(dt.date.today())
    orders = orders[orders["order_date"] <= today]
    orders = orders[orders["customer_id"].isin(customers["customer_id"])]
    return customers, orders


def customer_features(customers: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """One row per customer with the six behaviour features, indexed by customer_id.

    as_of is the latest order date. Customers without orders get 0 for
    frequency, monetary, average order value and return rate; their recency is
    their tenure.
    """
    as_of = pd.Timestamp(orders["order_date"].max())
    is_return_status = orders["status"].isin(RETURN_STATUSES)
    is_purchase = (orders["amount"] > 0) & ~is_return_status
    lines = pd.DataFrame({
        "customer_id": orders["customer_id"],
        "order_id": orders["order_id"],
        "order_date": orders["order_date"],
        "is_purchase": is_purchase,
        "is_return": (orders["amount"] < 0) | is_return_status,
        "purchase_amount": orders["amount"].where(is_purchase, 0.0),
        "refunded": (-orders["amount"]).clip(lower=0.0),
    })
    per_order = lines.groupby(["customer_id", "order_id"], sort=False).agg(
        order_date=("order_date", "min"),
        has_purchase=("is_purchase", "max"),
        has_return=("is_return", "max"),
        purchase_amount=("purchase_amount", "sum"),
        refunded=("refunded", "sum"),
    ).reset_index()
    per_order["purchase_date"] = per_order["order_date"].where(per_order["has_purchase"])
    per_customer = per_order.groupby("customer_id", sort=False).agg(
        total_orders=("order_id", "size"),
        frequency=("has_purchase", "sum"),
        orders_with_returns=("has_return", "sum"),
        gross_revenue=("purchase_amount", "sum"),
        refunded=("refunded", "sum"),
        first_order_date=("order_date", "min"),
        last_purchase_date=("purchase_date", "max"),
    )

    table = customers.set_index("customer_id").join(per_customer, how="left")
    # A customer starts at signup, or at the first order when that is earlier.
    signup, first_order = table["signup_date"], table["first_order_date"]
    start = signup.where(first_order.isna() | (signup <= first_order), first_order)
    tenure = (as_of - start).dt.days.clip(lower=0)
    frequency = table["frequency"].fillna(0)
    gross = table["gross_revenue"].fillna(0.0)
    return pd.DataFrame({
        "recency_days": (as_of - table["last_purchase_date"]).dt.days.fillna(tenure),
        "frequency": frequency,
        "monetary": (gross - table["refunded"].fillna(0.0)).clip(lower=0.0),
        "avg_order_value": (gross / frequency.where(frequency > 0)).fillna(0.0),
        "tenure_days": tenure,
        "return_rate": (table["orders_with_returns"] / table["total_orders"]).fillna(0.0),
    }, index=table.index).astype("float64")


def scale(features: pd.DataFrame) -> np.ndarray:
    """Cap at the 1st/99th percentiles, log1p money and counts, standardize."""
    capped = features.clip(features.quantile(0.01), features.quantile(0.99), axis=1)
    capped[LOG_FEATURES] = np.log1p(capped[LOG_FEATURES])
    return StandardScaler().fit_transform(capped.to_numpy())


def kmeans_sweep(x: np.ndarray, random_state: int) -> tuple[pd.DataFrame, dict[int, np.ndarray]]:
    """Fit KMeans for every k in K_RANGE; diagnostics per k and the labels."""
    rows, labels = [], {}
    for k in K_RANGE:
        model = KMeans(n_clusters=k, n_init=N_INIT, random_state=random_state).fit(x)
        labels[k] = model.labels_
        rows.append({
            "k": k,
            "inertia": model.inertia_,
            "silhouette": silhouette_score(
                x, model.labels_, sample_size=min(SILHOUETTE_SAMPLE, x.shape[0]),
                random_state=random_state),
            "calinski_harabasz": calinski_harabasz_score(x, model.labels_),
            "davies_bouldin": davies_bouldin_score(x, model.labels_),
        })
    return pd.DataFrame(rows), labels


def ward_clusters(x: np.ndarray, k: int, random_state: int) -> np.ndarray:
    """Ward clusters fitted on a sample; every row labelled by nearest centroid."""
    rng = np.random.default_rng(random_state)
    sample = rng.choice(x.shape[0], size=min(WARD_SAMPLE, x.shape[0]), replace=False)
    sample_labels = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(x[sample])
    centroids = np.stack([x[sample][sample_labels == c].mean(axis=0) for c in range(k)])
    # ||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2; ||x||^2 does not change the argmin.
    return np.argmin((centroids**2).sum(axis=1) - 2.0 * x @ centroids.T, axis=1)


def run(input_dir: Path, output: Path, random_state: int) -> dict[str, object]:
    """The whole notebook; returns step timings and a few facts about the result."""
    timer = StepTimer()
    with timer.step("read parquet"):
        customers, orders = load(input_dir)
    with timer.step("clean"):
        customers, orders = clean(customers, orders)
    with timer.step("features"):
        features = customer_features(customers, orders)
        del orders
    with timer.step("scale"):
        x = scale(features)
    with timer.step("kmeans k=2..10 + diagnostics"):
        diagnostics, labels = kmeans_sweep(x, random_state)
        best_k = int(diagnostics.loc[diagnostics["silhouette"].idxmax(), "k"])
    with timer.step("ward on sample"):
        ward = ward_clusters(x, best_k, random_state)
    with timer.step("pca 2-d"):
        projection = PCA(n_components=2, random_state=random_state).fit_transform(x)
    with timer.step("write parquet"):
        result = features.assign(
            kmeans_cluster=labels[best_k] + 1, ward_cluster=ward + 1,
            pc1=projection[:, 0], pc2=projection[:, 1],
        ).reset_index()
        output.parent.mkdir(parents=True, exist_ok=True)
        result.to_parquet(output, index=False)
    return {
        "customers": int(result.shape[0]),
        "chosen_k": best_k,
        "k_diagnostics": diagnostics.to_dict(orient="records"),
        "step_seconds": timer.seconds,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input-dir", type=Path, required=True,
                        help="folder with customers.parquet and orders.parquet")
    parser.add_argument("--output", type=Path, required=True,
                        help="per-customer result parquet to write")
    parser.add_argument("--timings", type=Path, help="write step timings and facts as JSON")
    parser.add_argument("--random-state", type=int, default=42)
    args = parser.parse_args(argv)
    facts = run(args.input_dir, args.output, args.random_state)
    if args.timings:
        args.timings.write_text(json.dumps(facts, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
