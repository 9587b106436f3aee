"""The analysis notebook is executed so it cannot rot."""

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO


@pytest.mark.slow
def test_urumqi_karachi_notebook_runs(tmp_path):
    path = REPO / "notebooks" / "urumqi_karachi.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "Ürümqi best:" in text and "Karachi best:" in text
    charts = [o for o in outputs if "application/vnd.plotly.v1+json" in o.get("data", {})]
    assert len(charts) >= 2
    nbformat.write(nb, tmp_path / "executed.ipynb")
