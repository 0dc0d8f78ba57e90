from polydesk.cli import main

main()
