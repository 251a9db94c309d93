"""Natural ordering of machine, setting and problem labels."""

from __future__ import annotations

import pandas as pd

from suites.ordering import natural_order, sort_naturally


def test_natural_order_compares_numbers_as_numbers():
    names = ["sb-8b", "da-10b", "da-4b", "qa-noise-0.1", "qa-noise-0.05", "sa", "da-4b"]
    assert natural_order(names) == ["da-4b", "da-10b", "qa-noise-0.05", "qa-noise-0.1",
                                    "sa", "sb-8b"]


def test_sort_naturally_orders_each_column_in_turn():
    df = pd.DataFrame({"problem": ["dense-128", "dense-32", "dense-32"],
                       "setting": ["bits=5", "bits=10", "bits=5"], "x": [1, 2, 3]})
    out = sort_naturally(df, ["problem", "setting"])
    assert out["x"].tolist() == [3, 2, 1]
    assert out.index.tolist() == [0, 1, 2]


def test_sort_naturally_keeps_an_empty_frame():
    assert sort_naturally(pd.DataFrame(), ["problem"]).empty
