"""The backtest of the value model, per customer: the model fitted as of the
calibration cut-off (ml_customer_value_model, purpose backtest) predicts each
sampled calibration customer's purchases in the holdout (var
value_holdout_days), to set beside what they bought there
(customer_value_backtest). Empty when the backtest model could not be fitted."""

import pandas as pd

from segmentation.fit import model_result, to_pandas
from segmentation.value import backtest_customers, backtest_inputs


def model(dbt, session):
    holdout_days = int(dbt.config.get("value_holdout_days"))
    row, sample = backtest_inputs(to_pandas(dbt.ref("ml_customer_value_model")),
                                  to_pandas(dbt.ref("ml_value_fit_sample"), ["customer_id"]))
    frame = pd.DataFrame({"customer_id": pd.Series(dtype="string"),
                          "probability_alive": pd.Series(dtype="float64"),
                          "predicted_holdout_purchases": pd.Series(dtype="float64")})
    if row is not None:
        scored = backtest_customers(
            row, sample["calibration_frequency"],
            sample["calibration_recency_weeks"], sample["calibration_age_weeks"],
            holdout_weeks=holdout_days / 7)
        frame = pd.DataFrame({"customer_id": sample["customer_id"].astype("string").to_numpy(),
                              **scored})
    return model_result(frame, session)
