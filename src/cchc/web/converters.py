"""URL converters: database ids are bounded so that an absurd id is a 404, never a database overflow."""


class IdConverter:
    regex = "[0-9]{1,9}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))
