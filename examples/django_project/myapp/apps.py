from django.apps import AppConfig


class MyappConfig(AppConfig):
    name = "myapp"

    def ready(self) -> None:
        # Connects the guide's post_save receiver (signals.py).
        from . import signals  # noqa: F401
