"""What every self-check returns: a Verdict, one friendly line that is true or false, and the plain
words for an error raised inside a student's code. Introduced in 01_pixels; used by every check."""


class Verdict:
    "The outcome of a check: true if right; shows as one friendly line."

    def __init__(self, ok, message):
        self.ok, self.message = bool(ok), ("✓ " if ok else "✗ ") + message

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return self.message


def _say(ok, msg):
    return Verdict(ok, msg)


def _not_a_list(name, got, why, otherwise):
    "A list was expected: name what `got` is instead, with the advice `why` has for that kind of thing."
    kind = type(got).__name__
    return Verdict(False, f"{name} is a {kind}, not a list. " + why.get(kind, otherwise))


def _still_none(name):
    "The answer to an exercise the student has not done yet."
    return Verdict(False, f"{name} is still None: replace it with your code and run the cell again.")


def _explain_error(e, name):
    "A friendly line for an exception raised inside a student's training step."
    text = str(e)
    if isinstance(e, RuntimeError) and "leaf Variable" in text and "in-place" in text:
        return (f"{name} stopped with PyTorch's error \"a leaf Variable that requires grad is being used in an "
                "in-place operation\": PyTorch would have to record the update as part of the model. Change the "
                "parameters outside the record: p.data -= lr * p.grad, or inside `with torch.no_grad():`.")
    if isinstance(e, RuntimeError) and "does not require grad" in text:
        return (f"{name} stopped because backward() found nothing to differentiate: compute the loss from "
                "model(xb), with the parameters that require gradients.")
    if isinstance(e, (TypeError, AttributeError)) and "NoneType" in text:
        return (f"{name} used p.grad while it was still None ({type(e).__name__}: {text}). A gradient appears "
                "only after loss.backward(), and only for parameters the loss was computed from: predict with "
                "model(xb), call loss.backward(), then step.")
    if isinstance(e, NameError):
        return (f"{name} uses a name that does not exist here ({text}). If it is mnist_loss, run the cell that "
                "defines it first.")
    return f"{name} stopped with {type(e).__name__}: {text}"
