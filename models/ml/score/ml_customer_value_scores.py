"""Every customer's predicted value under the stored value model (segmentation.value):
probability alive, expected purchases over 90 and 365 days, expected purchase
value, discounted 12-month value. Python, because expected purchases need the
Gaussian hypergeometric function (scipy's, exact); probability alive alone
has a closed form SQL could compute. Empty when the model could not be fitted."""

import numpy as np
import pandas as pd

from segmentation.fit import model_result, to_pandas
from segmentation.value import score_customers

VALUE_COLUMNS = ["probability_alive", "expected_purchases_90d", "expected_purchases_365d",
                 "expected_average_value", "predicted_value_12m"]


def model(dbt, session):
    models = to_pandas(dbt.ref("ml_customer_value_model"))
    fitted = models[(models["purpose"] == "score") & (models["status"] == "fitted")]
    summary = to_pandas(dbt.ref("int_customer_value_summary"), ["customer_id"])
    if fitted.empty or summary.empty:
        frame = pd.DataFrame({"customer_id": pd.Series(dtype="string"),
                              **{name: pd.Series(dtype="float64") for name in VALUE_COLUMNS}})
        return model_result(frame, session)
    row = fitted.iloc[0].to_dict()
    scored = score_customers(
        row, summary["frequency"], summary["recency_weeks"], summary["age_weeks"],
        summary["average_repeat_value"].astype("float64").fillna(np.nan),
        annual_discount_rate=float(dbt.config.get("value_discount_rate")))
    frame = pd.DataFrame({"customer_id": summary["customer_id"].astype("string"), **scored})
    return model_result(frame, session)
