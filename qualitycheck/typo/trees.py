"""A small gradient-boosted tree ensemble evaluated with numpy (no scikit-learn at run time).

The decision model of the engine is fitted by :mod:`qualitycheck.typo.tune` with scikit-learn's
``HistGradientBoostingClassifier`` and stored as flat node arrays in ``models/typo/trees.npz``:
for every node its feature, threshold, left/right child (global node indices) and, for leaves,
the value.  ``decision(X)`` returns the raw log-odds, exactly as the fitted model does for
inputs without missing values (a sample goes left when ``x[feature] <= threshold``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np


class TreeEnsemble:
    def __init__(self, feature: np.ndarray, threshold: np.ndarray, left: np.ndarray,
                 right: np.ndarray, value: np.ndarray, roots: np.ndarray, baseline: float,
                 depth: int):
        self.feature = feature.astype(np.int64)
        self.threshold = threshold.astype(np.float32)
        self.left = left.astype(np.int64)
        self.right = right.astype(np.int64)
        self.value = value.astype(np.float32)
        self.roots = roots.astype(np.int64)
        self.baseline = float(baseline)
        self.depth = int(depth)
        leaf = self.left < 0
        # leaves point to themselves, so every sample can take `depth` steps
        self.left[leaf] = np.flatnonzero(leaf)
        self.right[leaf] = np.flatnonzero(leaf)
        self.feature[leaf] = 0
        self.threshold[leaf] = np.inf

    def decision(self, X: np.ndarray) -> np.ndarray:
        """Raw score (log-odds) for every row of ``X`` (n_samples, n_features)."""
        n = X.shape[0]
        if n == 0 or len(self.roots) == 0:
            return np.full(n, self.baseline, dtype=np.float32)
        X = np.ascontiguousarray(X, dtype=np.float32)
        rows = np.arange(n)[:, None]
        node = np.broadcast_to(self.roots[None, :], (n, len(self.roots))).copy()
        for _ in range(self.depth):
            go_left = X[rows, self.feature[node]] <= self.threshold[node]
            node = np.where(go_left, self.left[node], self.right[node])
        return self.baseline + self.value[node].sum(axis=1)

    # ------------------------------------------------------------------ io
    @classmethod
    def from_sklearn(cls, clf) -> "TreeEnsemble":
        feats, thr, left, right, val, roots = [], [], [], [], [], []
        off, depth = 0, 0
        for (pred,) in clf._predictors:
            nd = pred.nodes
            roots.append(off)
            leaf = nd["is_leaf"].astype(bool)
            feats.append(nd["feature_idx"])
            thr.append(nd["num_threshold"])
            left.append(np.where(leaf, -1, nd["left"].astype(np.int64) + off))
            right.append(np.where(leaf, -1, nd["right"].astype(np.int64) + off))
            val.append(np.where(leaf, nd["value"], 0.0))
            depth = max(depth, int(nd["depth"].max()))
            off += len(nd)
        base = float(np.ravel(clf._baseline_prediction)[0])
        return cls(np.concatenate(feats), np.concatenate(thr), np.concatenate(left),
                   np.concatenate(right), np.concatenate(val), np.array(roots), base, depth)

    def save(self, path: str | Path) -> None:
        leaf = self.left == np.arange(len(self.left))
        np.savez_compressed(
            path, feature=self.feature.astype(np.int16), threshold=self.threshold.astype(np.float32),
            left=np.where(leaf, -1, self.left).astype(np.int32),
            right=np.where(leaf, -1, self.right).astype(np.int32),
            value=self.value.astype(np.float32), roots=self.roots.astype(np.int32),
            baseline=np.array(self.baseline), depth=np.array(self.depth))

    @classmethod
    def load(cls, path: str | Path) -> "TreeEnsemble":
        z = np.load(path, allow_pickle=False)
        return cls(z["feature"], z["threshold"], z["left"], z["right"], z["value"], z["roots"],
                   float(z["baseline"]), int(z["depth"]))
