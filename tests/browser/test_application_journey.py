"""Journey (a): the village applies, choosing households in the picker; the township sends
it back with a reason; the village sees the reason and resubmits; the township approves,
naming the five-ones."""

from playwright.sync_api import expect

PROJECT = "乐丰村竹荪种植补助项目"


def start_project(secretary):
    secretary.menu("任务")
    secretary.click("发起")
    secretary.click("项目谋划宣传会议")
    secretary.fill("项目名称", PROJECT)
    secretary.fill("产业类型", "竹荪种植")
    secretary.choose("实施方式", "保底分红")
    secretary.fill("扶贫资金（元）", "30000.00")
    secretary.fill("建设规模", "50亩")
    secretary.fill("会议日期", "2026-10-01")
    secretary.fill("参会人数", "40")
    secretary.fill("会议纪要", "村民大会一致同意发展竹荪种植。")
    secretary.press("发起", exact=True)
    # A server-side error shows on its field (a dividend project needs its operator).
    secretary.see("分红类项目须指定负责经营的经营主体。")
    secretary.choose("实施方式", "分散直补")
    secretary.press("发起", exact=True)
    secretary.see("流程已发起")


def test_village_applies_township_sends_back_village_resubmits_township_approves(cast, people):
    households = cast.households["A1"]
    secretary = people(cast.user("village_secretary", "A1"))
    start_project(secretary)

    secretary.open_task(PROJECT, "项目申报")
    secretary.press("签收并继续办理")
    secretary.fill("实施方案", "竹荪大棚建设，统一供种、技术指导。")
    secretary.fill("绩效目标", "每户年增收3000元。")
    secretary.tick("已签订承诺书")
    secretary.press("办理", exact=True)
    secretary.see("这个字段是必填项")  # nobody chosen yet: the picker says so
    secretary.tick(households[0].head_name)
    # The search box narrows the rows: by the last digits of the ID number…
    secretary.fill("搜索受益农户", households[1].id_number[-4:])
    expect(secretary.page.get_by_label(households[0].head_name, exact=True)).to_be_hidden()
    secretary.tick(households[1].head_name)
    secretary.fill("搜索受益农户", "")
    expect(secretary.page.get_by_label(households[0].head_name, exact=True)).to_be_checked()
    secretary.press("办理", exact=True)
    secretary.shot("submitted")

    station = people(cast.user("township_work_station", "A"))
    station.take(PROJECT, "乡镇审核")
    station.see("审核结果")
    station.tick("退回")
    station.fill("意见或理由", "受益农户名单不全，请补充大寨组农户。")
    station.submit()

    secretary.menu("待办")
    secretary.open_task(PROJECT, "项目申报")
    secretary.see("受益农户名单不全，请补充大寨组农户。")
    secretary.tick(households[2].head_name)
    secretary.press("办理", exact=True)
    secretary.back_at_list("待办")

    leader = cast.user("township_lead", "A")
    station.menu("待办")  # the resubmission comes back to the reviewer who sent it back
    station.open_task(PROJECT, "乡镇审核")
    station.tick("通过")
    station.fill("意见或理由", "同意申报。")
    station.choose("责任领导", leader.get_full_name() or leader.username)
    station.fill("工作班子", "乡扶贫工作站、农业服务中心")
    station.fill("配套政策", "《织金县财政专项扶贫资金管理办法》")
    station.press("办理", exact=True)
    station.back_at_list("待办")

    station.menu("项目")
    station.click(PROJECT)
    station.see("乡扶贫工作站、农业服务中心")
    station.see(households[2].head_name)
