"""The words and figures of the demo's opportunities (商机): what a branch sells a group or a
well-off family, at what value, the next steps of each pipeline step, and why deals were won
or lost. Plain data, read by :mod:`cmworkbench.services.ops.demo.opportunities`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Offer:
    """One kind of business with a customer, as the demo draws it.

    ``low``/``high`` are yuan (drawn log-uniformly), or per cent of the customer's assets when
    ``share``; a group's big-ticket offers (``scaled``) grow with its class. A need's ``{wan}``
    is the value in 万 (ten thousand yuan), ``{n}`` the value over ``per_head`` (cards, people
    insured, lines). The proposal's cost is ``cost`` (a share of the value: a rate concession,
    a fee waived, equipment lent), its expected return a multiple of it."""

    product: str
    """The ``[referrals] products`` category."""
    weight: int
    low: int
    high: int
    needs: tuple[str, ...]
    cost: tuple[float, float]
    share: bool = False
    scaled: bool = False
    per_head: int = 0


GROUP_OFFERS: tuple[Offer, ...] = (
    Offer(
        "loan", 38, 2_000_000, 30_000_000,
        ("流动资金贷款 {wan} 万，用于原材料采购", "固定资产贷款 {wan} 万，新建生产线",
         "银行承兑汇票授信 {wan} 万", "项目贷款 {wan} 万，厂房扩建"),
        (0.004, 0.012), scaled=True,
    ),
    Offer(
        "deposit", 26, 2_000_000, 20_000_000,
        ("现金管理：集团资金归集，预计沉淀 {wan} 万", "协定存款 {wan} 万，结算账户迁入我行",
         "代发工资账户迁入，月均存款 {wan} 万", "单位定期存款 {wan} 万，到期比价续存"),
        (0.002, 0.006), scaled=True,
    ),
    Offer(
        "wealth", 8, 1_000_000, 10_000_000,
        ("对公结构性存款 {wan} 万", "闲置资金购买对公理财 {wan} 万"),
        (0.003, 0.008), scaled=True,
    ),
    Offer(
        "card", 10, 20_000, 90_000,
        ("员工公务卡 {n} 张", "代发工资配套借记卡 {n} 张"),
        (0.15, 0.35), per_head=200,
    ),
    Offer(
        "insurance", 10, 20_000, 90_000,
        ("团体意外险 {n} 人", "员工补充医疗保险 {n} 人"),
        (0.15, 0.35), per_head=300,
    ),
    Offer(
        "telecom", 8, 30_000, 300_000,
        ("互联网专线 500M，三年合约", "集团V网 {n} 户", "政企云主机迁移，年费约 {wan} 万"),
        (0.2, 0.4), per_head=240,
    ),
)  # fmt: skip
"""What a manager works on with a group customer: loans and cash management in the millions,
cards and insurance in tens of thousands."""

PERSON_OFFERS: tuple[Offer, ...] = (
    Offer(
        "wealth", 34, 10, 40, ("理财到期再配置 {wan} 万", "稳健型理财 {wan} 万"),
        (0.004, 0.01), share=True,
    ),
    Offer(
        "deposit", 20, 20, 60, ("大额存单 {wan} 万", "他行定期到期转入 {wan} 万"),
        (0.002, 0.006), share=True,
    ),
    Offer(
        "fund", 10, 5, 20, ("基金定投组合，首期 {wan} 万", "养老目标基金 {wan} 万"),
        (0.005, 0.012), share=True,
    ),
    Offer(
        "insurance", 16, 20_000, 90_000, ("年金保险，年交 {wan} 万", "终身寿险，年交 {wan} 万"),
        (0.1, 0.3),
    ),
    Offer(
        "loan", 10, 500_000, 3_000_000, ("个人经营贷款 {wan} 万", "房产抵押经营贷 {wan} 万"),
        (0.004, 0.012),
    ),
    Offer(
        "card", 10, 20_000, 90_000,
        ("白金信用卡，额度 {wan} 万", "白金信用卡，办卡后首年消费约 {wan} 万"), (0.1, 0.3),
    ),
)  # fmt: skip
"""What a manager works on with an A/B-class individual (and a phone manager, now and then,
with a C-class one: the small tickets)."""
PHONE_PRODUCTS = ("insurance", "card")
"""What a phone manager sells by phone."""

GROUP_STEPS: dict[str, tuple[str, ...]] = {
    "select": ("查阅客户年报与经营数据", "与主管确认目标客户名单", "梳理客户上下游结算关系"),
    "prepare": ("准备拜访资料和产品方案", "约财务总监面谈", "了解客户在他行的合作条件"),
    "approach": ("拜访财务总监", "约董事长见面", "邀请客户参加企业家沙龙"),
    "needs": ("与财务部沟通资金需求", "收集近三年财务报表", "实地走访生产经营场所"),
    "assess": ("测算综合收益", "评估客户资信与综合贡献", "整理客户经营和结算数据"),
    "solution": ("向客户演示方案", "根据客户反馈调整方案", "与客户财务部逐条确认方案"),
    "close": ("约定签约时间", "准备合同文本", "与客户确认签约材料"),
}
PERSON_STEPS: dict[str, tuple[str, ...]] = {
    "select": ("查看客户资产变动", "整理客户持仓与到期情况"),
    "prepare": ("准备资产配置建议", "约客户来网点面谈"),
    "approach": ("电话问候并约见", "邀请客户参加理财讲座"),
    "needs": ("做风险测评，了解家庭资金安排", "了解客户子女教育和养老规划"),
    "assess": ("测算收益与风险", "核实客户收入证明"),
    "solution": ("向客户讲解配置方案", "按客户意见调整产品组合"),
    "close": ("约客户到网点签约", "准备购买材料"),
}
"""Next steps by pipeline step (another branch's own steps get :data:`ANY_STEPS`)."""
ANY_STEPS = ("电话跟进客户", "约客户面谈")

WON_REASONS = {
    "loan": "合同已签，首笔已放款",
    "deposit": "账户已开立，资金已到账",
    "wealth": "客户已认购",
    "fund": "客户已认购，定投已设置",
    "card": "卡已批量开立",
    "insurance": "保单已生效",
    "telecom": "合同已签，业务已开通",
}
LOST_REASONS = (
    "客户选择了他行方案，利率低 20 个基点",
    "项目暂缓，资金需求取消",
    "授信审批未通过",
    "客户总部统一招标，我行未入围",
    "客户对方案收益不满意",
)
PERSON_LOST_REASONS = ("客户已在他行办理", "收益达不到客户预期", "客户资金另有安排")
RETURN_COMMENTS = (
    "收益测算偏低：请把结算存款沉淀和代发收入算进去后再报",
    "费用偏高，请与客户再谈利率下浮幅度",
    "请补充客户近三年流水和同业报价后再报",
)
"""Why a supervisor sent a proposal back."""
