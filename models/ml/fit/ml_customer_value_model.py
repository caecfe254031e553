"""BG/NBD and Gamma-Gamma fitted on the value fit sample (segmentation.value): one
row for scoring (as of as_of_date) and one for the backtest (as of the
calibration cut-off, var value_holdout_days); a row that could not be fitted
says why, and the build goes on."""

import pandas as pd

from segmentation.fit import model_result, to_pandas
from segmentation.value import fit_value_models, not_fitted

TYPES = {"purpose": "string", "status": "string", "reason": "string", "r": "Float64",
         "alpha": "Float64", "a": "Float64", "b": "Float64", "bgnbd_log_likelihood": "Float64",
         "bgnbd_customers": "Int64", "repeat_buyers": "Int64", "p": "Float64", "q": "Float64",
         "gamma": "Float64", "gamma_gamma_log_likelihood": "Float64",
         "gamma_gamma_customers": "Int64", "time_unit": "string",
         "window_end_date": "datetime64[ns]"}


def model(dbt, session):
    holdout_days = int(dbt.config.get("value_holdout_days"))
    sample = to_pandas(dbt.ref("ml_value_fit_sample"), ["customer_id"])
    rows = [fit_value_models("score", sample["frequency"], sample["recency_weeks"],
                             sample["age_weeks"], sample["average_repeat_value"])]
    calibration = sample[sample["in_calibration"].fillna(False).astype(bool)]
    if calibration.empty and not sample.empty:
        # The purchases span less than the holdout: nothing to calibrate on.
        rows.append(not_fitted(
            "backtest", "no customer's first purchase is by the backtest cut-off (as_of_date "
            f"minus var value_holdout_days = {holdout_days} days): "
            "the purchases span less than the holdout; lower value_holdout_days"))
    else:
        rows.append(fit_value_models(
            "backtest", calibration["calibration_frequency"],
            calibration["calibration_recency_weeks"], calibration["calibration_age_weeks"],
            calibration["calibration_average_repeat_value"]))
    # The last day of the purchases each model read: what score mode's rows stay as of.
    if not sample.empty:
        rows[0]["window_end_date"] = pd.Timestamp(sample["as_of_date"].iloc[0])
        rows[1]["window_end_date"] = pd.Timestamp(sample["calibration_end"].iloc[0])
    frame = pd.DataFrame(rows, columns=list(TYPES)).astype(TYPES)
    return model_result(frame, session)
