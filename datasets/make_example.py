"""Regenerate the shipped West Partnership example.

Writes the packaged Parquet tables (``wpnet/data/west_partnership/``, what
``wpnet.load_example()`` reads), the CSV copies in ``datasets/west_partnership/``, the
planted truth (``truth.json``, in both folders) and copies the data dictionary into the
package. Run from the repository root:

    python datasets/make_example.py

The example is ``wpnet.synthetic(**wpnet.datasets.EXAMPLE)``; it is stored rather than
regenerated at load time so that every install gives the same numbers.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import wpnet
from wpnet.datasets import EXAMPLE

ROOT = Path(__file__).resolve().parent.parent
CSV = ROOT / "datasets" / "west_partnership"
PACKAGED = ROOT / "wpnet" / "data" / "west_partnership"


def main() -> None:
    eco, truth = wpnet.synthetic(**EXAMPLE, truth=True)
    PACKAGED.mkdir(parents=True, exist_ok=True)
    CSV.mkdir(parents=True, exist_ok=True)
    for name in ("establishments", "practitioners", "networks", "participation", "ties"):
        table = getattr(eco, name).drop(columns=["session"], errors="ignore")
        table.to_parquet(PACKAGED / f"{name}.parquet", index=False, compression="zstd")
        out = table.copy()
        for col in out.columns:
            if str(out[col].dtype).startswith("datetime64"):
                out[col] = out[col].dt.strftime("%Y-%m-%d")
        out.to_csv(CSV / f"{name}.csv", index=False, lineterminator="\n")
    text = json.dumps(truth, indent=1, ensure_ascii=False) + "\n"
    for folder in (CSV, PACKAGED):
        (folder / "truth.json").write_text(text, encoding="utf-8")
    shutil.copyfile(CSV / "README.md", PACKAGED / "README.md")
    print(eco)


if __name__ == "__main__":
    main()
