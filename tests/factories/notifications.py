"""Factories for the outbox and notification preferences."""

import factory

from subsidy.notifications.models import Notification, NotificationPreference

from .platform import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    """A pending outbox row; code under test queues them through the notification events."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    to_email = factory.SelfAttribute("recipient.email")
    event = "application_submitted"
    context = factory.LazyFunction(dict)
    subject = "Application received"


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(UserFactory)
    event = "application_submitted"
    email_enabled = False
