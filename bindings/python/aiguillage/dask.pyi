import os
from typing import Any, Optional, Sequence, Union

from . import CompetenceIndex, OfferBank, Pack, ProfileBank

def orient(ddf: Any, pack: Union[Pack, str, "os.PathLike[str]"], date: Any, *,
           keep: Sequence[str] = ..., threads: int = ...) -> Any: ...
def orient_frame(df: Any, pack: Union[Pack, str, "os.PathLike[str]"], date: Any, *,
                 keep: Sequence[str] = ..., threads: int = ...) -> Any: ...
def batch_top_k(queries: Any, index: CompetenceIndex, k: int, *, items: str = ...,
                weights: str = ..., departements: Optional[Sequence[int]] = ...,
                keep: Sequence[str] = ..., threads: int = ..., client: Any = ...) -> Any: ...
def batch_top_k_frame(df: Any, index: CompetenceIndex, k: int, *, items: str = ...,
                      weights: str = ..., departements: Optional[Sequence[int]] = ...,
                      keep: Sequence[str] = ..., threads: int = ...) -> Any: ...
def top_offers(profiles: Any, bank: OfferBank, k: int = ..., *, column: str = ...,
               departements: Optional[Sequence[str]] = ...,
               contract_types: Optional[Sequence[str]] = ..., max_km: Optional[float] = ...,
               keep: Sequence[str] = ..., threads: int = ..., client: Any = ...) -> Any: ...
def top_offers_frame(df: Any, bank: OfferBank, k: int = ..., *, column: str = ...,
                     departements: Optional[Sequence[str]] = ...,
                     contract_types: Optional[Sequence[str]] = ..., max_km: Optional[float] = ...,
                     keep: Sequence[str] = ..., threads: int = ...) -> Any: ...
def top_profiles_frame(df: Any, bank: ProfileBank, k: int = ..., *, column: str = ...,
                       departements: Optional[Sequence[str]] = ...,
                       contract_types: Optional[Sequence[str]] = ...,
                       max_km: Optional[float] = ..., keep: Sequence[str] = ...,
                       threads: int = ...) -> Any: ...
