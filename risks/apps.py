from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = "Risk registers"

    def ready(self):
        from django.db.backends.signals import connection_created

        from risks import content_version

        connection_created.connect(
            content_version.install, dispatch_uid="risks.content_version"
        )
