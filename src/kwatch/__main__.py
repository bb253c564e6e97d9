from kwatch.entry import main

main()
