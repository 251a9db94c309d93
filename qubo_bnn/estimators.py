"""What the scikit-learn estimators of both formulations share: label encoding.

:func:`encode_classes` checks classification targets the way scikit-learn's classifiers do
and refuses a single class with a message scikit-learn's estimator checks recognise.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.multiclass import check_classification_targets

__all__ = ["encode_classes"]


def encode_classes(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(classes_, indices into classes_)`` of the labels ``y`` (1-D, already validated).

    Raises ``ValueError`` for continuous or multi-output targets ("Unknown label type") and for
    fewer than two classes.
    """
    check_classification_targets(y)
    classes, indices = np.unique(y, return_inverse=True)
    if classes.size < 2:
        raise ValueError(
            f"y has {classes.size} class ({classes[:1].tolist()}); a classifier needs at least "
            "two classes"
        )
    return classes, indices
