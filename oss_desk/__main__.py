from oss_desk.cli import main

main()
