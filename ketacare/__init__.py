"""KetaCare Django project: settings, URLs, shared web helpers and the CLI."""
