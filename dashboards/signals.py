"""Writes that change a village's dashboard figures mark it stale, in the writer's transaction
(`dashboards.figures`). Set-based writes (the import, a rule set's recomputation) mark their villages themselves;
the first refresh after the date changes recomputes every village anyway."""

from django.db.models.signals import post_delete, post_save

from children.models import Child, ChildCategory, EntrustedCare, FamilyMember, Transfer, WelfareCoverage

from . import figures


def _child_changed(sender, instance, **kwargs) -> None:
    figures.mark_stale([instance.village_id])


def _record_changed(sender, instance, **kwargs) -> None:
    figures.mark_children_stale([instance.child_id])


def _transferred(sender, instance, created=False, **kwargs) -> None:
    figures.mark_stale([instance.from_village_id, instance.to_village_id])


def connect() -> None:
    from visits.models import Visit

    for signal in (post_save, post_delete):
        signal.connect(_child_changed, sender=Child, dispatch_uid=f"dashboards-child-{signal is post_save}")
        for model in (ChildCategory, FamilyMember, EntrustedCare, WelfareCoverage, Visit):
            signal.connect(
                _record_changed, sender=model, dispatch_uid=f"dashboards-{model.__name__}-{signal is post_save}"
            )
    post_save.connect(_transferred, sender=Transfer, dispatch_uid="dashboards-transfer")
