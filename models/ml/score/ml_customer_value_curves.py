"""What a customer still active is expected to buy, once per distinct pair of
repeat purchases and age (segmentation.value.purchase_curves): purchases in
the next 90 and 365 days and the next 12 months' purchases discounted at var
value_discount_rate. Python, because these need the Gaussian hypergeometric
function (scipy's, exact); they depend on the pair only, so the engine sends
the distinct pairs (tens of thousands at a million customers), not every
customer, and SQL does the rest (ml_customer_value_scores). Empty when there
is no fitted model."""

import pandas as pd

from segmentation.fit import distinct_rows, model_result, to_pandas
from segmentation.value import purchase_curves

KEYS = ["frequency", "age_days"]
CURVES = ["purchases_if_alive_90d", "purchases_if_alive_365d",
          "discounted_purchases_if_alive_12m"]


def model(dbt, session):
    annual_discount_rate = float(dbt.config.get("value_discount_rate"))
    models = to_pandas(dbt.ref("ml_customer_value_model"))
    fitted = models[(models["purpose"] == "score") & (models["status"] == "fitted")]
    pairs = distinct_rows(dbt.ref("int_customer_value_summary"), KEYS)
    if fitted.empty or pairs.empty:
        frame = pd.DataFrame({**{key: pd.Series(dtype="int64") for key in KEYS},
                              **{name: pd.Series(dtype="float64") for name in CURVES}})
        return model_result(frame, session)
    curves = purchase_curves(fitted.iloc[0].to_dict(), pairs["frequency"],
                             pairs["age_days"].astype("float64") / 7,
                             annual_discount_rate=annual_discount_rate)
    frame = pd.DataFrame({key: pairs[key].astype("int64") for key in KEYS})
    for name in CURVES:
        frame[name] = curves[name]
    return model_result(frame, session)
