"""``python -m massagecam`` runs the command line."""

from massagecam.cli import main

if __name__ == "__main__":
    main()
