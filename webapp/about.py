"""What this installation is: its version and where its files live."""

from pathlib import Path

__version__ = "0.1.0"
#: The checkout (or installed tree) holding templates/, static/ and migrations/.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
