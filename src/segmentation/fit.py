"""The functions the dbt Python models call, importable in one step.

dbt runs Python models in parallel threads. When two threads import
scikit-learn's submodules for the first time at once, one can see a partly
initialized module ("cannot import name 'clone'"). Every Python model imports
from here, so the first to arrive imports everything while the others wait on
this module's import lock.

dbt also runs two models at once (profile threads: 2) on two cores, so each
fit is held to one native thread: two fits each spawning a thread per core
oversubscribe the machine (the KMeans sweep took 9.3 s that way, 6.5 s with
one thread each, at 1M customers).
"""

from threadpoolctl import threadpool_limits

from segmentation.dbscan import dbscan_model
from segmentation.dbt_config import optional_float, optional_int, required_int
from segmentation.gmm import gmm_models
from segmentation.hierarchical import hierarchical_k_diagnostics, hierarchical_tree
from segmentation.kmeans import kmeans_models
from segmentation.kprototypes import kprototypes
from segmentation.lineage import match_segments_table
from segmentation.projection import pca_loadings
from segmentation.relations import distinct_rows, model_result, to_arrow, to_pandas
from segmentation.rules import segment_rules
from segmentation.stability import cluster_stability

# Process-wide and once: a per-call context would race between dbt's threads.
threadpool_limits(limits=1)

__all__ = [
    "cluster_stability",
    "dbscan_model",
    "distinct_rows",
    "gmm_models",
    "hierarchical_k_diagnostics",
    "hierarchical_tree",
    "kmeans_models",
    "kprototypes",
    "match_segments_table",
    "model_result",
    "optional_float",
    "optional_int",
    "pca_loadings",
    "required_int",
    "segment_rules",
    "to_arrow",
    "to_pandas",
]
