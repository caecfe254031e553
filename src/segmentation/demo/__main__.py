"""``python -m segmentation.demo``: write a synthetic company (see ``files.main``)."""

from segmentation.demo.files import main

raise SystemExit(main())
