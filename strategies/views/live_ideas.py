"""Private brainstorming in a live session: idea rounds, cards, reveal, turn a card into a topic or option."""

from django.http import HttpResponse

# Stubs of the URL contract (strategies/urls.py): each is replaced by its real view.


def live_ideas_panel(request, *args, **kwargs):
    return HttpResponse("")


def live_idea_round_open(request, *args, **kwargs):
    return HttpResponse("")


def live_idea_card_add(request, *args, **kwargs):
    return HttpResponse("")


def live_idea_round_reveal(request, *args, **kwargs):
    return HttpResponse("")


def live_idea_round_end(request, *args, **kwargs):
    return HttpResponse("")


def live_idea_card_decide(request, *args, **kwargs):
    return HttpResponse("")
