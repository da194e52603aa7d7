from pvctl.app import main

main()
