# fish completion for kwatch. Generated from the app by completions/generate.py: do not edit.
complete --command kwatch --no-files --arguments "(env _KWATCH_COMPLETE=complete_fish _TYPER_COMPLETE_FISH_ACTION=get-args _TYPER_COMPLETE_ARGS=(commandline -cp) kwatch)"
