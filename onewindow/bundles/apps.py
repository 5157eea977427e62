from django.apps import AppConfig


class BundlesConfig(AppConfig):
    name = "onewindow.bundles"
    verbose_name = "一件事"

    def ready(self):
        # Cases sit below bundles and cannot import them: the bundle watches its children through
        # the after-transition hook, inside each child's transaction (one completion message).
        from onewindow.bundles import services
        from onewindow.cases import services as cases

        cases.on_transition(services.on_child_transition)
