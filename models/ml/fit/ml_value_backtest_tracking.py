"""The backtest of the value model, week by week: the purchases the sampled
calibration customers together are expected to make in the first 1, 2, ...
weeks of the holdout (var value_holdout_days; the last point is the whole
holdout), under the model fitted as of the cut-off. customer_value_backtest_weekly
sets the actual cumulative purchases beside it. Empty when the backtest model
could not be fitted."""

import math

import numpy as np
import pandas as pd

from segmentation.fit import model_result, to_pandas
from segmentation.value import backtest_inputs, expected_cumulative_purchases


def model(dbt, session):
    holdout_days = int(dbt.config.get("value_holdout_days"))
    row, sample = backtest_inputs(to_pandas(dbt.ref("ml_customer_value_model")),
                                  to_pandas(dbt.ref("ml_value_fit_sample"), ["customer_id"]))
    weeks = np.arange(1, math.ceil(holdout_days / 7) + 1)
    days = np.minimum(weeks * 7, holdout_days)
    frame = pd.DataFrame({"holdout_week": pd.Series(dtype="int64"),
                          "holdout_days": pd.Series(dtype="int64"),
                          "expected_cumulative_purchases": pd.Series(dtype="float64")})
    if row is not None:
        expected = expected_cumulative_purchases(
            row, sample["calibration_frequency"],
            sample["calibration_recency_weeks"], sample["calibration_age_weeks"], days / 7)
        frame = pd.DataFrame({"holdout_week": weeks.astype("int64"),
                              "holdout_days": days.astype("int64"),
                              "expected_cumulative_purchases": expected})
    return model_result(frame, session)
