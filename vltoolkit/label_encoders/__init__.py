from .one_hot import OneHotLabelEncoder

__all__ = ['OneHotLabelEncoder']
