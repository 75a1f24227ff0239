"""`python -m newsdesk ...`: the same as the `newsdesk` command."""

from newsdesk.cli.app import main

main()
