"""Customer segmentation library used by the dbt Python models.

Pure functions over Arrow tables, pandas frames and NumPy arrays. Nothing here
imports dbt, so every function is tested directly with pytest.
"""

__version__ = "0.1.0"
