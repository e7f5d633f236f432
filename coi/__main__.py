from coi.app import main

main()
