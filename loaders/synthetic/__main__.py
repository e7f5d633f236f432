"""``python -m coi.loaders.synthetic OUT_DIR --scale force --seed 1``"""

from .cli import main

if __name__ == "__main__":
    main()
