from kwatch.cli import main

main()
