"""The English interface does not mix Chinese into labels: no choice of any model field of the project's apps, in
English, contains a Chinese character (issue 17: "Home visit (入户走访)")."""

import re

from django.apps import apps
from django.conf import settings
from django.utils import translation

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _choice_labels():
    for app in settings.LOCAL_APPS:
        for model in apps.get_app_config(app.split(".")[-1]).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for field in model._meta.get_fields():
                for value, label in getattr(field, "flatchoices", None) or ():
                    yield f"{model.__name__}.{field.name}={value}", label


def test_there_are_labels_to_check():
    assert len(list(_choice_labels())) > 100


def test_no_english_choice_label_holds_chinese():
    with translation.override("en"):
        mixed = [(where, str(label)) for where, label in _choice_labels() if CJK.search(str(label))]
    assert mixed == []


def test_the_same_labels_are_chinese_in_chinese():
    with translation.override("zh-hans"):
        labels = {where: str(label) for where, label in _choice_labels()}
    assert labels["Visit.kind=home"] == "入户走访"
    assert labels["Intervention.kind=admonition"] == "公安机关训诫"
