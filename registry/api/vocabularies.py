"""The controlled vocabulary, with labels."""

from flask.views import MethodView

from registry.api.blueprint import Blueprint
from registry.api.schemas import VocabulariesSchema
from registry.auth import ANY_ROLE, require_role
from registry.domain import vocabulary as vocab

blp = Blueprint("vocabularies_api", __name__, url_prefix="/vocabularies", description="Codes")


def vocabularies() -> dict:
    return {
        "purposes": [{"code": c, "label": label} for c, label in vocab.PURPOSES.items()],
        "data_categories": [
            {
                "code": c.code,
                "label": c.label,
                "special_category": c.special_category,
                "criminal_offence": c.criminal_offence,
            }
            for c in vocab.DATA_CATEGORIES.values()
        ],
        "article6": [
            {"code": b.code, "label": b.label, "point": b.point} for b in vocab.ARTICLE6.values()
        ],
        "article9": [
            {
                "code": c.code,
                "label": c.label,
                "point": c.point,
                "schedule1_paragraphs": sorted(c.schedule1_paras),
            }
            for c in vocab.ARTICLE9.values()
        ],
        "schedule1": [
            {"code": c.code, "label": c.label, "part": c.part, "policy_document": c.policy_document}
            for c in vocab.SCHEDULE1.values()
        ],
        "article10": [{"code": c, "label": label} for c, label in vocab.ARTICLE10.items()],
        "sectors": [{"code": c, "label": label} for c, label in vocab.SECTORS.items()],
    }


@blp.route("")
class Vocabularies(MethodView):
    @require_role(*ANY_ROLE)
    @blp.response(200, VocabulariesSchema)
    def get(self):
        """List every code the registry understands, with its label."""
        return vocabularies()
