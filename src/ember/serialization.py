"""`ember.save` / `ember.load` (being written)."""


def save(obj: object, f: object) -> None:
    raise NotImplementedError("ember.save is being written")


def load(f: object, map_location: object = None, weights_only: bool = True) -> object:
    raise NotImplementedError("ember.load is being written")
