"""Where the shared real test data lives: ../shared/data/dem beside the clone, found from any
checkout depth (the main clone, a worktree one level deeper, CI)."""
from __future__ import annotations

from pathlib import Path

import pytest

_HERE = Path(__file__).resolve()
DEM_DIR = next((p / "shared" / "data" / "dem" for p in _HERE.parents
                if (p / "shared" / "data" / "dem").is_dir()),
               _HERE.parents[3] / "shared" / "data" / "dem")
GBG = DEM_DIR / "se_goteborg_srtm3_sweref99tm_50m.tif"
SODERTALJE = DEM_DIR / "se_sodertalje_kommun_scb_sweref99tm.geojson"
needs_data = pytest.mark.skipif(not GBG.exists(), reason="shared DEM data not present")
