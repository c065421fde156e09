from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self):
        from peersupport.signals import work_read
        from privacy.services import record_work_read

        work_read.connect(record_work_read, dispatch_uid="privacy-record-work-read")
