from django.urls import path

from .consumer import LiveConsumer

websocket_urlpatterns = [
    path("ws/live/projects/<int:pk>/", LiveConsumer.as_asgi()),
]
