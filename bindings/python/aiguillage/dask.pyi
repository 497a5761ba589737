import os
from typing import Any, Sequence, Union

from . import Pack

def orient(ddf: Any, pack: Union[Pack, str, "os.PathLike[str]"], date: Any, *,
           keep: Sequence[str] = ..., threads: int = ...) -> Any: ...
def orient_frame(df: Any, pack: Union[Pack, str, "os.PathLike[str]"], date: Any, *,
                 keep: Sequence[str] = ..., threads: int = ...) -> Any: ...
