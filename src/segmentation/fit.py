"""The functions the dbt Python models call, importable in one step.

dbt runs Python models in parallel threads. When two threads import
scikit-learn's submodules for the first time at once, one can see a partly
initialized module ("cannot import name 'clone'"). Every Python model imports
from here, so the first to arrive imports everything while the others wait on
this module's import lock.
"""

from segmentation.dbt_config import optional_int, required_int
from segmentation.hierarchical import hierarchical_k_diagnostics, hierarchical_tree
from segmentation.kmeans import kmeans_models
from segmentation.projection import pca_loadings

__all__ = [
    "hierarchical_k_diagnostics",
    "hierarchical_tree",
    "kmeans_models",
    "optional_int",
    "pca_loadings",
    "required_int",
]
