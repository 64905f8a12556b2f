"""mask: hide all but the last ``keep_last`` characters (spaces do not count), keeping the layout."""

from sandlab.anonymizer.operators.base import Operator


class Mask(Operator):
    name = "mask"

    def one(self, value, row: int):
        out, visible = [], self.policy.keep_last
        for ch in reversed(str(value)):
            if ch == " ":
                out.append(ch)
            elif visible:
                out.append(ch)
                visible -= 1
            else:
                out.append("*")
        return "".join(reversed(out))
