"""Every model of the three apps has a factory in ``tests.factories`` that builds a valid,
saved row: a new model without one fails here."""

import inspect

import factory
import pytest
from django.apps import apps

import tests.factories

APPS = ("subsidy", "applicants", "reviews")
MODELS = [model for label in APPS for model in apps.get_app_config(label).get_models()]
FACTORIES = {
    candidate._meta.model: candidate
    for _, candidate in inspect.getmembers(tests.factories, inspect.isclass)
    if issubclass(candidate, factory.django.DjangoModelFactory)
}


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
@pytest.mark.django_db
def test_each_model_has_a_factory_that_builds_a_valid_saved_row(model):
    assert model in FACTORIES, f"tests.factories has no factory for {model._meta.label}"

    instance = FACTORIES[model]()

    assert instance.pk is not None
    instance.refresh_from_db()
    instance.full_clean()


@pytest.mark.django_db
def test_factories_build_distinct_rows_when_called_twice():
    """Unique fields come from sequences, so two rows of a model never collide."""
    for model in MODELS:
        FACTORIES[model].create_batch(2)
